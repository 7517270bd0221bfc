"""Plans for children in need and on child protection plans: SMART actions and reviews."""
