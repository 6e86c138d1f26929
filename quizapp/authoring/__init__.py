"""Tools for pack authors: `quizapp preview PACK`, every question with its key, reloaded on save."""
