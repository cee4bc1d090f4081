"""What reached each legislator and how far each campaign went."""
