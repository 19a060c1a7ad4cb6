"""sora_videos: a typed sync and async client for the Videos API."""
