"""Wellbeing sessions: scheduling, sign-ups with capacity and waitlist, reminders and calendar files."""
