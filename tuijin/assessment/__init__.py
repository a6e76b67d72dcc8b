"""Assessment (督查考核): schemes as data, scored periods, rankings and the red and black lists (红黑榜)."""
