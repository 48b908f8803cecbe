"""The fixed wording that goes on consents and disclosed records. No Django.

- PART2_NOTICE: the statement 42 CFR 2.32(a)(1) requires on every disclosure made with
  the patient's consent (2024 wording), printed on every disclosed PDF and carried by every
  disclosed FHIR bundle (docs/clinical-sources.md §9.4). The regulation prescribes the
  words, so they are the regulation's, not ours.
- PART2_SHORT_NOTICE: the short statement of 2.32(a)(2), used where a whole statement does
  not fit (a row of the audit trail's CSV).
- The statements a Part 2 consent must carry (§2.31(a)), in plain words.
"""

from __future__ import annotations

PART2_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality "
    "rules (42 CFR part 2). These rules prohibit you from using or disclosing this record, "
    "or testimony that describes the information contained in this record, in any civil, "
    "criminal, administrative, or legislative proceedings by any Federal, State, or local "
    "authority, against the patient, unless authorized by the consent of the patient, "
    "except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with "
    "42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from making any other "
    "use or disclosure of this record unless at least one of the following applies: "
    "(i) Further use or disclosure is expressly permitted by the written consent of the "
    "individual whose information is being disclosed in this record or as otherwise "
    "permitted by 42 CFR part 2. (ii) You are a covered entity or business associate and "
    "have received the record for treatment, payment, or health care operations, or "
    "(iii) You have received the record from a covered entity or business associate as "
    "permitted by 45 CFR part 164, subparts A and E. A general authorization for the "
    "release of medical or other information is NOT sufficient to meet the required "
    "elements of written consent to further use or redisclose the record (see 42 CFR 2.31)."
)
PART2_SHORT_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
PART2_LABEL = "42CFRPart2"

REVOCATION_STATEMENT = (
    "I may revoke this consent at any time, in writing (on the patient portal, or by a "
    "signed note given to the program), except to the extent that the program has already "
    "acted in reliance on it. A revocation stops any disclosure under this consent from "
    "the moment it is recorded."
)
REDISCLOSURE_STATEMENT = (
    "Information disclosed under this consent may be redisclosed by the recipient and may no "
    "longer be protected by the federal rules, except as the notice that accompanies each "
    "disclosure says."
)
HIPAA_REDISCLOSURE_STATEMENT = (
    "If a recipient is a covered entity or business associate under HIPAA and receives my "
    "records for treatment, payment or health care operations, my records may be "
    "redisclosed as the HIPAA regulations permit, except for uses and disclosures for civil, "
    "criminal, administrative and legislative proceedings against me."
)
CONDITION_STATEMENT = (
    "My treatment, payment, enrolment or eligibility for benefits does not depend on whether "
    "I sign this consent, except where the law allows it."
)
TREATMENT_STATEMENT = (
    "I agree to take part in the program's treatment: group therapy, individual therapy, "
    "psychoeducation and, where it applies, medication management. I know how to reach the "
    "program and what to do in a crisis, and I may stop treatment at any time."
)
EMERGENCY_NOTICE = (
    "This information was disclosed without the patient's consent to meet a bona fide "
    "medical emergency (42 CFR 2.51). "
)
