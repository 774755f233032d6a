"""The rules, each a function from a `Frame` and its config block to the rows it finds in breach."""
