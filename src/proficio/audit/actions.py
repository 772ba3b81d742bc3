"""The names of audited actions, and how the audit page words them.

An action is a short dotted string, "<what>.<done>". Apps may record names not listed here;
the page then shows the name itself.
"""

from django.utils.translation import gettext_lazy as _

STUDENT_VIEWED = "student.viewed"
STUDENTS_LISTED = "students.listed"
EVIDENCE_VIEWED = "evidence.viewed"
EVIDENCE_RECORDED = "evidence.recorded"
EVIDENCE_CORRECTED = "evidence.corrected"
EVIDENCE_WITHDRAWN = "evidence.withdrawn"
MASTERY_RECOMPUTED = "mastery.recomputed"
POLICY_CHANGED = "policy.changed"
GUARDIAN_LINKED = "guardian.linked"
ROLE_ASSIGNED = "role.assigned"
SECTION_ENROLLED = "section.enrolled"
SITE_ADMIN_GRANTED = "site_admin.granted"
API_TOKEN_REVOKED = "api_token.revoked"
PASSWORD_CHANGED = "password.changed"
SIGN_IN_UNLOCKED = "sign_in.unlocked"
FRAMEWORK_IMPORTED = "framework.imported"
ROSTER_SYNCED = "roster.synced"
PEOPLE_CREATED_IN_BULK = "people.created_in_bulk"
EVIDENCE_APPENDED_IN_BULK = "evidence.appended_in_bulk"
STUDENT_EXPORTED = "student.exported"
STUDENT_ERASED = "student.erased"
AUDIT_EXPORTED = "audit.exported"
AUDIT_PRUNED = "audit.pruned"
ADMIN_CHANGED = "admin.changed"
DISTRICT_SET_UP = "district.set_up"
DISTRICT_ADMIN_ADDED = "district_admin.added"
COMPETENCY_WRITTEN = "competency.written"
COMPETENCY_REVISED = "competency.revised"
FRAMEWORK_AUTHORS_SET = "framework.authors_set"
FRAMEWORK_WRITTEN = "framework.written"
SCALE_WRITTEN = "scale.written"
TASK_WRITTEN = "task.written"
TASK_ASSIGNED = "task.assigned"
WORK_SUBMITTED = "work.submitted"
WORK_REVIEWED = "work.reviewed"
WORK_COMMENTED = "work.commented"
PLAYLIST_WRITTEN = "playlist.written"
PLAYLIST_PROGRESS = "playlist.progress_marked"
ADVANCEMENT_PROPOSED = "advancement.proposed"
ADVANCEMENT_CONFIRMED = "advancement.confirmed"
ADVANCEMENT_DECIDED = "advancement.decided"
ADVANCEMENT_GATE_SET = "advancement_gate.set"
GROUP_SIZES_SET = "group_sizes.set"
SUPPORT_RECORDED = "support.recorded"
GROUP_CHANGED = "group.changed"
SECTION_LEFT = "section.left"
COURSE_WRITTEN = "course.written"
RESULTS_IMPORTED = "results.imported"
RESULT_MAPPING_CHANGED = "result_mapping.changed"
MENTORSHIP_CHANGED = "mentorship.changed"
GOAL_WRITTEN = "goal.written"
GOAL_COMMENTED = "goal.commented"
CHECK_IN_RECORDED = "check_in.recorded"
CONFERENCE_RECORDED = "conference.recorded"
EXEMPLAR_PROPOSED = "exemplar.proposed"
EXEMPLAR_PUBLISHED = "exemplar.published"
EXEMPLAR_WITHDRAWN = "exemplar.withdrawn"
CALIBRATION_OPENED = "calibration.opened"
CALIBRATION_RATED = "calibration.rated"
CALIBRATION_REVEALED = "calibration.revealed"
CONSENSUS_RECORDED = "consensus.recorded"
CALIBRATION_SETTINGS_CHANGED = "calibration_settings.changed"
CALIBRATION_PRACTISED = "calibration.practised"
TRANSCRIPT_ISSUED = "transcript.issued"
CREDIT_DEFINED = "credit.defined"
TRANSCRIPT_FORMAT_SET = "transcript_format.set"
FAMILY_VISIBILITY_SET = "family_visibility.set"
RECORD_LINK_CREATED = "record_link.created"
RECORD_LINK_REVOKED = "record_link.revoked"
LRS_CREDENTIAL_CHANGED = "lrs_credential.changed"
ACTIVITY_RULE_CHANGED = "activity_rule.changed"
STATEMENTS_MAPPED = "statements.mapped"
LTI_PLATFORM_CHANGED = "lti_platform.changed"
LTI_SIGNED_IN = "lti.signed_in"
LTI_SECTION_LINKED = "lti_section.linked"
LTI_SCORES_SENT = "lti_scores.sent"
WEBHOOK_CHANGED = "webhook.changed"
TRACING_FITTED = "tracing.fitted"

ACTION_LABELS = {
    STUDENT_VIEWED: _("Viewed a student's record"),
    STUDENTS_LISTED: _("Viewed a list of students"),
    EVIDENCE_VIEWED: _("Viewed evidence"),
    EVIDENCE_RECORDED: _("Recorded evidence"),
    EVIDENCE_CORRECTED: _("Corrected evidence"),
    EVIDENCE_WITHDRAWN: _("Withdrew evidence recorded in error"),
    MASTERY_RECOMPUTED: _("Recomputed mastery"),
    POLICY_CHANGED: _("Changed a mastery policy"),
    GUARDIAN_LINKED: _("Linked a guardian"),
    ROLE_ASSIGNED: _("Gave a role"),
    SECTION_ENROLLED: _("Enrolled a student in a section"),
    SITE_ADMIN_GRANTED: _("Made a site admin"),
    API_TOKEN_REVOKED: _("Revoked an API token"),
    PASSWORD_CHANGED: _("Changed their password"),
    SIGN_IN_UNLOCKED: _("Unlocked a locked-out sign-in"),
    FRAMEWORK_IMPORTED: _("Imported a framework"),
    ROSTER_SYNCED: _("Synced the roster"),
    PEOPLE_CREATED_IN_BULK: _("Created people in bulk"),
    EVIDENCE_APPENDED_IN_BULK: _("Appended ratings in bulk"),
    STUDENT_EXPORTED: _("Exported a student's record"),
    STUDENT_ERASED: _("Erased a student's identity"),
    AUDIT_EXPORTED: _("Downloaded the audit log"),
    AUDIT_PRUNED: _("Removed old audit entries"),
    ADMIN_CHANGED: _("Changed a record in the admin site"),
    DISTRICT_SET_UP: _("Set up the district"),
    DISTRICT_ADMIN_ADDED: _("Added a district admin"),
    COMPETENCY_WRITTEN: _("Wrote a competency and its trajectory"),
    COMPETENCY_REVISED: _("Revised a competency and its trajectory"),
    FRAMEWORK_AUTHORS_SET: _("Opened a framework to teachers, or closed it"),
    FRAMEWORK_WRITTEN: _("Made a framework"),
    SCALE_WRITTEN: _("Made a rating scale"),
    TASK_WRITTEN: _("Wrote a performance task"),
    TASK_ASSIGNED: _("Gave out a performance task"),
    WORK_SUBMITTED: _("Submitted work on a task"),
    WORK_REVIEWED: _("Reviewed and rated a student's work"),
    WORK_COMMENTED: _("Commented on a student's work"),
    PLAYLIST_WRITTEN: _("Wrote a playlist"),
    PLAYLIST_PROGRESS: _("Marked a playlist item done for a student"),
    ADVANCEMENT_PROPOSED: _("Proposed a student's advancement"),
    ADVANCEMENT_CONFIRMED: _("Confirmed readiness to advance"),
    ADVANCEMENT_DECIDED: _("Decided a student's advancement"),
    ADVANCEMENT_GATE_SET: _("Set the advancement gate"),
    GROUP_SIZES_SET: _("Set the sizes of the groups Proficio suggests"),
    SUPPORT_RECORDED: _("Recorded or ended a support for a student"),
    GROUP_CHANGED: _("Formed or changed a flexible group"),
    SECTION_LEFT: _("Took a student out of a section"),
    COURSE_WRITTEN: _("Wrote a course and its target stages"),
    RESULTS_IMPORTED: _("Imported standardized results"),
    RESULT_MAPPING_CHANGED: _("Changed how standardized results map to competencies"),
    LRS_CREDENTIAL_CHANGED: _("Gave a learning tool xAPI credentials, or revoked them"),
    ACTIVITY_RULE_CHANGED: _("Changed how a learning tool's statements map to competencies"),
    STATEMENTS_MAPPED: _("Recorded ratings from a learning tool's statements"),
    LTI_PLATFORM_CHANGED: _("Registered an LMS for LTI launches, or switched one off"),
    LTI_SIGNED_IN: _("Signed in from the district's LMS"),
    LTI_SECTION_LINKED: _("Tied an LMS course to a section"),
    LTI_SCORES_SENT: _("Sent a student's ratings to the district's LMS"),
    WEBHOOK_CHANGED: _("Subscribed an endpoint to the district's events, or revoked it"),
    TRACING_FITTED: _(
        "Fitted a competency's knowledge-tracing parameters from the district's answers"
    ),
    MENTORSHIP_CHANGED: _("Made a teacher a student's mentor, or ended it"),
    GOAL_WRITTEN: _("Wrote or changed a student's goal"),
    GOAL_COMMENTED: _("Commented on a student's goal"),
    CHECK_IN_RECORDED: _("Recorded a mentor check-in"),
    CONFERENCE_RECORDED: _("Recorded a student-led conference"),
    EXEMPLAR_PROPOSED: _("Proposed student work as an exemplar"),
    EXEMPLAR_PUBLISHED: _("Confirmed an exemplar's anonymisation and published it"),
    EXEMPLAR_WITHDRAWN: _("Withdrew an exemplar"),
    CALIBRATION_OPENED: _("Opened a calibration session"),
    CALIBRATION_RATED: _("Rated the pieces of a calibration session"),
    CALIBRATION_REVEALED: _("Revealed a calibration session's ratings"),
    CONSENSUS_RECORDED: _("Recorded a calibration consensus"),
    CALIBRATION_SETTINGS_CHANGED: _("Changed the calibration settings"),
    CALIBRATION_PRACTISED: _("Practised rating on exemplars"),
    TRANSCRIPT_ISSUED: _("Issued a student's transcript"),
    CREDIT_DEFINED: _("Defined a mastery credit"),
    TRANSCRIPT_FORMAT_SET: _("Set the transcript format"),
    FAMILY_VISIBILITY_SET: _("Chose what families see"),
    RECORD_LINK_CREATED: _("Shared a learner record by a link"),
    RECORD_LINK_REVOKED: _("Revoked a learner record's link"),
}


def action_label(action: str) -> str:
    """The plain wording of an action, or its own name when it has none."""
    return str(ACTION_LABELS.get(action, action))
