"""Every placement rule set Stepwell has shipped, by version.

A stored decision names the version it was made under; `rule_set_for` loads it again, so
an old decision can be re-run exactly. The newest version is the default.
"""

from __future__ import annotations

from stepwell.placement.ruleset import RuleSet
from stepwell.placement.rulesets import loc_2026_11, loc_2027_1

CURRENT = loc_2027_1.RULE_SET

RULE_SETS: dict[str, RuleSet] = {
    rule_set.version: rule_set for rule_set in (loc_2026_11.RULE_SET, loc_2027_1.RULE_SET)
}


class UnknownRuleSet(KeyError):
    def __init__(self, version: str) -> None:
        self.version = version
        known = ", ".join(RULE_SETS)
        self.message = f"unknown rule set {version!r}; known: {known}"
        super().__init__(self.message)


def rule_set_for(version: str) -> RuleSet:
    try:
        return RULE_SETS[version]
    except KeyError:
        raise UnknownRuleSet(version) from None
