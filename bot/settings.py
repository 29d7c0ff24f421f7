"""Settings from the environment and `.env`. Secrets are SecretStr so they never print."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import available_timezones

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.members import AccountRef


def parse_account_refs(text: str) -> list[AccountRef]:
    """Read `slack:T1/U2,discord:123,console:alice`. Raises ValueError on a malformed entry."""
    refs = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        platform, sep, rest = item.partition(":")
        if not sep or not rest:
            raise ValueError(f"'{item}' should look like platform:user, e.g. console:alice")
        workspace, _, user = rest.rpartition("/")
        platform = platform.strip().lower()
        if platform == "console":
            workspace, user = "local", user.lower()
        refs.append(AccountRef(platform, workspace.strip(), user.strip()))
    return refs


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Settings(BaseSettings):
    # An empty line in .env (SLACK_BOT_TOKEN=) means "not set".
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str | None = None
    data_dir: Path = Path("data")
    admins: str = ""
    consent_text: str | None = None
    support_contacts: str = ""
    # Said to anyone who asks for support, always: what to do in an emergency. Names no
    # country's number by default; set it to your service's own words.
    emergency_text: str = ""
    # An alert nobody has taken by then goes again to every coordinator and admin, once.
    alert_escalate_minutes: int = 60
    # Check-in answers, notes and alert notes older than this are deleted; summaries keep totals.
    retention_days: int = 365
    # Where coordinators get alerts and summaries: a channel as platform:WORKSPACE/CHANNEL
    # (e.g. slack:T1/C2 or discord:345). Empty: each coordinator by direct message.
    coordinator_channel: str = ""
    # Where openings and wellbeing sessions are announced, in the same form. Empty: not posted
    # in a channel (partners still find them with the openings and sessions commands).
    announcements_channel: str = ""
    # The weekly digest of openings, for partners who choose it in `profile`: the day and the
    # time it goes, in each partner's own time zone (then moved out of their quiet hours).
    digest_day: str = "monday"
    digest_time: str = "09:00"
    default_timezone: str = "Europe/London"
    # The currency of openings' pay rates and expenses: a three-letter code with cents or pence
    # (GBP, EUR, USD, CAD...). An opening keeps the currency it was posted with.
    payment_currency: str = "GBP"
    default_language: str = "en"
    dispatch_interval_seconds: float = 5.0
    log_level: str = "INFO"
    # Lets what people type and are sent into the log (library payloads, error messages): for
    # debugging on a test workspace only. Secrets stay masked even then.
    log_personal_text: bool = False
    # Where the console saves files that are not text (a chart's PNG), to open with any viewer.
    console_files_dir: Path = Path("files")

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    # HTTP mode (SLACK_SIGNING_SECRET without SLACK_APP_TOKEN) listens here for POST /slack/events.
    slack_host: str = "0.0.0.0"
    slack_port: int = 3000

    discord_bot_token: SecretStr | None = None
    discord_guild_id: str | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None
    # Requests a second this process may make to Discord (Discord allows 50 in all, per bot).
    # With several processes, give each its share: 25 each for two.
    discord_rate_limit: float = 50.0
    # Several processes on Discord: each connects as one shard (0 to count-1), so each
    # interaction reaches one process. Unset: one process, one connection.
    discord_shard_id: int | None = None
    discord_shard_count: int | None = None

    @field_validator("admins")
    @classmethod
    def _admins_readable(cls, value: str) -> str:
        parse_account_refs(value)
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_base(cls, value: str) -> str:
        # slack_sdk joins URLs: without its trailing "/" a base loses its last part ("/api").
        return value if value.endswith("/") else value + "/"

    @field_validator("coordinator_channel", "announcements_channel")
    @classmethod
    def _one_channel(cls, value: str) -> str:
        if len(parse_account_refs(value)) > 1:
            raise ValueError("give one channel, e.g. slack:T1/C2")
        return value

    @field_validator("log_level")
    @classmethod
    def _level_exists(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"'{value}' is not a log level: DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("retention_days")
    @classmethod
    def _keeps_a_day(cls, value: int) -> int:
        if value < 1:
            raise ValueError("give a number of days, 1 or more (365 unless set)")
        return value

    @field_validator("digest_day")
    @classmethod
    def _a_weekday(cls, value: str) -> str:
        if value.strip().lower() not in WEEKDAYS:
            raise ValueError(f"'{value}' is not a day of the week, e.g. monday")
        return value.strip().lower()

    @field_validator("digest_time")
    @classmethod
    def _a_time(cls, value: str) -> str:
        hours, _sep, minutes = value.strip().partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError(f"'{value}' is not a time of day, e.g. 09:00")
        return f"{int(hours):02d}:{int(minutes):02d}"

    @field_validator("payment_currency")
    @classmethod
    def _a_currency(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ValueError(f"'{value}' is not a currency code, e.g. GBP or CAD")
        return code

    @field_validator("default_timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"'{value}' is not a time zone name, e.g. Europe/London")
        return value

    def platforms(self) -> list[str]:
        """The chat platforms this service runs, in the order they start: those whose
        credentials are set; with none, the console."""
        found = []
        if self.slack_bot_token and (self.slack_app_token or self.slack_signing_secret):
            found.append("slack")
        if self.discord_bot_token:
            found.append("discord")
        return found or ["console"]

    def admin_accounts(self) -> list[AccountRef]:
        return parse_account_refs(self.admins)

    def coordinators_channel(self) -> AccountRef | None:
        """The coordinators' channel (its id in `user_id`), if one is set."""
        found = parse_account_refs(self.coordinator_channel)
        return found[0] if found else None

    def announcements(self) -> AccountRef | None:
        """The announcements channel (its id in `user_id`), if one is set."""
        found = parse_account_refs(self.announcements_channel)
        return found[0] if found else None
