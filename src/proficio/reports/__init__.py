"""Reports: progress reports, transcripts, dashboards, exports and the school's design
choices, read-only over the other apps' public surfaces."""
