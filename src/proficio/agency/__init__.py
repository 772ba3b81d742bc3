"""Agency: students' goals with mentor check-ins (issue 14); portfolios and student-led
conferences follow."""
