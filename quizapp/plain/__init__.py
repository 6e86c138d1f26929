"""`quizapp --plain`: a session line by line on standard input and output, for screen readers and pipes."""
