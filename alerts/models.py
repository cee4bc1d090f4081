"""Action alerts: a chapter's email to its supporters, frozen into recipients and sent in
chunks through the one send path."""
