"""tuijin (推进): run a development zone's major-project campaign (三个一批)."""
