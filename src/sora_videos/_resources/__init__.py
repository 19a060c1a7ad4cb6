"""The API's resources: ``client.videos`` and its async twin."""
