"""Calls and letters to legislators: a campaign's advocacy actions and their outreaches
(after OSDI's advocacy campaigns and outreaches)."""
