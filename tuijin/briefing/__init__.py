"""Briefings (简报/通报): templates over tuijin's figures, generated as .docx and PDF, edited, then published."""
