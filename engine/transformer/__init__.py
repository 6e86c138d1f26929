"""A small GPT: tokenizers, the torch model and its numpy twin, positional encoding, head roles, weights I/O."""
