"""Opportunity announcements: staff post openings, partners say they are interested, places go fairly."""
