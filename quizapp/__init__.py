"""quizapp: terminal exam prep for LLM fundamentals, with labs on a real small transformer."""

__version__ = "0.1.0"
