"""The app config of django.contrib.admin, with clinic setup as its default site.

Listed in INSTALLED_APPS instead of "django.contrib.admin", so every app's
`admin.register` lands on core.setup_site.SetupSite, whose permission comes from the
access rules rather than Django's is_staff. (Its own module: core/apps.py keeps one
AppConfig so Django picks it for stepwell.core.)
"""

from django.contrib.admin.apps import AdminConfig


class SetupAdminConfig(AdminConfig):
    default_site = "stepwell.core.setup_site.SetupSite"

    def ready(self) -> None:
        super().ready()  # every app's admin module registers its tables
        from django.contrib import admin
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # Reading or adding another person's TOTP device is taking over their second
        # factor: setup never offers it (clinic/staff_admin.py has the audited actions).
        if admin.site.is_registered(TOTPDevice):
            admin.site.unregister(TOTPDevice)
