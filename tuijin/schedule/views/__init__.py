"""The schedule pages: a project's checklist and Gantt (挂图作战), the portfolio Gantt, the zone warning board
and the A3 PDFs. Reads go through `restrict(user, action)`, writes through `services` (which check `can()` or
`may_report`)."""
