"""Bringing a district in line with a roster from its student information system.

A roster states what the source system holds, keyed by its identifiers (`sourced_id`):
schools, academic sessions, people with their roles, guardian links, students'
demographics, sections and their memberships. `RosterSync` compares it with the database and
writes only the difference, in bulk, so a second run of the same roster changes nothing. What
the source deleted is deactivated, never deleted (but demographics, which are deleted rather
than kept stale), and what was made by hand (no `sourced_id`) is never ended by a roster.

Format readers (OneRoster CSV, …) validate their input against `roster_index` and build a
`Roster`; the service `people.services.roster_sync` runs the sync in one transaction.

`data` holds the roster and its specs, `index` what a district already holds, and `sync` the
run, on the bulk writes of `writes`, the section steps of `sections` and the demographics
step of `demographics`.
"""
