"""Frameworks from spreadsheets: OpenSALT's CSV layout of CASE items, and Proficio's own
template of competencies with their trajectories (CSV or XLSX, one row per stage)."""
