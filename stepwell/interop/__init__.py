"""Interoperability: FHIR R4 export of a patient's record, bulk export of a program, and
referrals received as FHIR bundles."""
