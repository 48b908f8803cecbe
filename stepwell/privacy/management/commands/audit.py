from django.core.management.base import BaseCommand, CommandError

from stepwell.privacy.audit import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. `stepwell audit verify` checks the hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("verify", help="Find changed, inserted or deleted audit events.")

    def handle(self, *args, **options):
        problems = audit_verify()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Audit trail is NOT intact: {len(problems)} problem(s).")
        from stepwell.privacy.models import AuditChainHead

        head = AuditChainHead.objects.filter(pk=1).first()
        count = head.last_seq if head else 0
        self.stdout.write(f"Audit trail intact: {count} events verified.")
