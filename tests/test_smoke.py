def test_profile_shows_defaults(person):
    sam = person("Sam")
    sam.says("profile")
    assert "Time zone: Europe/London" in sam.text
