"""The exchange format: one family's history in a JSON file (people, relationships, addresses,
involvements, episodes and chronology entries), described by `schema.json` and loaded by `load`.
See docs/replay.md."""
