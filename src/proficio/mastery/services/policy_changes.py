"""Changing a policy: a new version of one scope's policy, then a background recompute of
what it governs."""

from django.db import transaction

from proficio.audit import api as audit
from proficio.mastery.data import PolicyProposal
from proficio.mastery.models import MasteryPolicy
from proficio.mastery.policies import district_competency, district_default, proposed_policy
from proficio.mastery.services.runs import recompute_run_queue
from proficio.people.api import Person


@transaction.atomic
def policy_change(*, actor: Person, draft: PolicyProposal) -> MasteryPolicy:
    """Save a new version of the policy for one scope and recompute what it governs.

    Scope: the draft's district (no school, framework or competency), one school, one
    framework or one competency. A PolicyRemoval saves a version that removes the scope's
    own policy (it follows the broader one again); a draft that `restores` re-applies an
    earlier version's settings as a new one. Old versions are never edited; the recompute
    runs in the background (on the policy's effective day when that is still ahead).
    """
    if draft.school is None and draft.framework is None and draft.competency is None:
        # The version every existing record names, before the first change replaces it.
        some_competency = district_competency(draft.district)
        if some_competency is not None:
            district_default(district_id=draft.district.pk, competency=some_competency)
    policy = proposed_policy(actor=actor, draft=draft, lock=True)
    policy.save()
    audit.record(
        actor=actor,
        action=audit.POLICY_CHANGED,
        district_id=policy.district_id,
        target=policy,
        data={
            "school": policy.school_id,
            "framework": policy.framework_id,
            "competency": policy.competency_id,
            "version": policy.version,
            "method": policy.method,
            "parameters": policy.parameters,
            "threshold": str(policy.threshold),
            "minimum_evidence": policy.minimum_evidence,
            "effective_from": policy.effective_from.isoformat(),
            "removes_own_policy": policy.inherits,
            "restores": policy.restores,
            "rollup": policy.rollup,
            "rollup_base": None if policy.rollup_base is None else str(policy.rollup_base),
            "rollup_parts": policy.rollup_parts,
        },
    )
    recompute_run_queue(policy=policy, actor=actor)
    return policy
