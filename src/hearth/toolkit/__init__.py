"""The neglect toolkit: practice tools as versioned definitions, completed against a child."""
