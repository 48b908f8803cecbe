"""Forms of the consent pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms

from .models import CONSENT_KINDS, PURPOSES, RECIPIENT_KINDS, SECTIONS, SignatureMethod

DATE = forms.DateInput(attrs={"type": "date"})


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(choices=CONSENT_KINDS, label="Kind of consent")
    program_ids = forms.TypedMultipleChoiceField(
        coerce=int, label="Programs that may disclose", widget=forms.CheckboxSelectMultiple
    )
    signature_method = forms.ChoiceField(
        choices=SignatureMethod.choices, label="How the patient signs"
    )
    recipient_kind = forms.ChoiceField(
        choices=[("", "—"), *RECIPIENT_KINDS], required=False, label="Recipients"
    )
    recipients = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Named recipients (one a line)",
    )
    purpose = forms.ChoiceField(choices=[("", "—"), *PURPOSES], required=False)
    purpose_detail = forms.CharField(required=False, max_length=300, label="Purpose, described")
    sections = forms.MultipleChoiceField(
        choices=SECTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Parts of the record covered",
    )
    information_description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How much and what kind of information",
    )
    date_from = forms.DateField(required=False, widget=DATE, label="Records from")
    date_to = forms.DateField(required=False, widget=DATE, label="Records until")
    expires_on = forms.DateField(required=False, widget=DATE, label="Expires on")
    expiry_event = forms.CharField(required=False, max_length=300, label="Or expires when")
    signer_name = forms.CharField(required=False, max_length=200, label="Name signed (paper)")
    signed_on = forms.DateField(required=False, widget=DATE, label="Date signed (paper)")
    scan = forms.FileField(required=False, label="Scan of the signed paper")

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program_ids"].choices = [(p.pk, p.name) for p in programs]


class DisclosureForm(forms.Form):
    basis = forms.ChoiceField(
        choices=[
            ("consent", "The patient's written consent"),
            ("hipaa_permitted", "Treatment, payment or operations (never Part 2 records)"),
        ]
    )
    consent_id = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Consent relied on"
    )
    recipient = forms.CharField(max_length=300, label="Recipient (as the consent names them)")
    recipient_affiliation = forms.CharField(required=False, max_length=300, label="Organization")
    purpose = forms.ChoiceField(choices=PURPOSES)
    purpose_detail = forms.CharField(required=False, max_length=300, label="Purpose, described")
    sections = forms.MultipleChoiceField(
        choices=SECTIONS, widget=forms.CheckboxSelectMultiple, label="Parts of the record"
    )
    date_from = forms.DateField(required=False, widget=DATE, label="Records from")
    date_to = forms.DateField(required=False, widget=DATE, label="Records until")
    document_format = forms.ChoiceField(
        choices=[("pdf", "PDF"), ("fhir", "FHIR bundle")], label="Document"
    )

    def __init__(self, *args, consents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent_id"].choices = [("", "—")] + [(c.pk, str(c)) for c in consents]


class RevokeForm(forms.Form):
    note = forms.CharField(required=False, max_length=300, label="Note (how the patient asked)")


class SignForm(forms.Form):
    signer_name = forms.CharField(max_length=200, label="Type your full legal name")
    agree = forms.BooleanField(required=False, label="I have read this consent and agree")


class ReasonForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Review note")


class DecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        coerce=lambda v: v == "yes", choices=[("yes", "Accept"), ("no", "Deny")]
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Reason")


class AmendmentForm(forms.Form):
    section = forms.ChoiceField(choices=SECTIONS, label="Part of your record")
    request = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="What should change, and why"
    )


class BreakGlassForm(forms.Form):
    record_number = forms.CharField(max_length=20, label="Record number")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="The emergency, in a sentence"
    )


class EmergencyForm(forms.Form):
    emergency = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="The medical emergency"
    )
    recipient = forms.CharField(max_length=300, label="Who received the records")
    recipient_affiliation = forms.CharField(max_length=300, label="Their hospital or service")
    sections = forms.MultipleChoiceField(
        choices=SECTIONS, widget=forms.CheckboxSelectMultiple, label="What was disclosed"
    )
    document_format = forms.ChoiceField(
        choices=[("pdf", "PDF"), ("fhir", "FHIR bundle")], label="Document"
    )
