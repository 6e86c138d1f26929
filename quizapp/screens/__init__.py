"""The app's screens; each displays study state and forwards input, the logic lives in quizapp.study."""
