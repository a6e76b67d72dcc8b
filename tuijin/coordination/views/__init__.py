"""Coordination pages: the to-do home and inbox (home), tasks, problems, meetings and the supervision board."""
