from __future__ import annotations

from email.utils import make_msgid

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, CampaignUpdate, Target
from outcry.lib.outbox import CircuitFields, Leased


def new_message_id() -> str:
    # Fixed when the row is created, so a retry after a crash carries the same Message-ID and the
    # receiving side can recognise the rare duplicate for what it is.
    return make_msgid(domain=settings.MAIL_DOMAIN)


class Message(Leased):
    """One email Outcry owes someone: a letter to a target, a digest, a receipt or a confirmation request.

    Services in outcry.delivery own every status change (see sending.py for the lifecycle).
    """

    class Kind(models.TextChoices):
        LETTER = "letter", _("Letter")
        DIGEST = "digest", _("Digest")
        RECEIPT = "receipt", _("Receipt")
        CONFIRM = "confirm", _("Confirmation request")
        DATA_LINK = "data_link", _("Your-data link")
        UPDATE = "update", _("Campaign update")
        FORWARD = "forward", _("A target's reply, forwarded to the supporter")
        ALERT = "alert", _("A warning to the campaign's staff")
        INVITE = "invite", _("An invitation to an organisation's studio")
        COUNT_REPAIRED = "recount", _("A warning to the campaign's staff: its counter was repaired")
        WAVE = "wave", _("A velocity alert to the campaign's staff")
        OPENING_BLOCKED = "blocked", _("A warning to the campaign's staff: its scheduled opening was blocked")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DEFERRED = "deferred", _("Deferred (will retry)")
        FAILED = "failed", _("Failed")
        BATCHED = "batched", _("Waiting for the target's next digest")
        CANCELLED = "cancelled", _("Not sent: the action no longer counts")
        BOUNCED = "bounced", _("Bounced: the target's server returned it")

    # Statuses a worker may claim (when next_try_at has come).
    SENDABLE = (Status.PENDING, Status.DEFERRED)

    # Empty only for mail that belongs to no campaign (the your-data link).
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages", null=True, blank=True)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="messages", null=True, blank=True)
    target = models.ForeignKey(Target, on_delete=models.SET_NULL, related_name="messages", null=True, blank=True)
    digest = models.ForeignKey(
        "self", on_delete=models.SET_NULL, related_name="letters", null=True, blank=True,
        help_text=_("The digest that carries (or carried) this letter."),
    )
    update = models.ForeignKey(
        CampaignUpdate, on_delete=models.CASCADE, related_name="messages", null=True, blank=True,
        help_text=_("The campaign update this email carries."),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LETTER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    last_error = models.TextField(_("why"), blank=True, help_text=_("The last failure, or why the message is waiting."))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True, default=new_message_id)
    # For mail to someone who is neither a target nor an action's supporter (the your-data link): where it
    # goes and in which language. Blanked once the message is sent or fails, so the outbox keeps no address.
    recipient = models.EmailField(max_length=254, blank=True)
    language = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["status", "next_try_at"]),
            models.Index(fields=["target", "kind", "claimed_at"]),
            models.Index(fields=["campaign", "target", "status"]),
        ]
        constraints = [
            # One update reaches one supporter once, however often its fan-out is resumed.
            models.UniqueConstraint(
                fields=["update", "action"], condition=Q(update__isnull=False, action__isnull=False),
                name="one_update_email_per_action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"



# Emails to a supporter's own address: a hard bounce of any of them means the address does not take mail.
SUPPORTER_KINDS = (Message.Kind.RECEIPT, Message.Kind.CONFIRM, Message.Kind.UPDATE, Message.Kind.FORWARD)


def bounced_supporters(organisation_id: int) -> QuerySet[Message]:
    """The email hashes of supporters whose address hard-bounced an email of this organisation's campaigns:
    no update is sent to them again."""
    return Message.objects.filter(
        kind__in=SUPPORTER_KINDS, status=Message.Status.BOUNCED, campaign__organisation_id=organisation_id,
        action__isnull=False,
    ).values("action__email_hash")


# What the studio's outbox lists: the mail owed to the organisation's targets, not to supporters or staff.
TARGET_KINDS = (Message.Kind.LETTER, Message.Kind.DIGEST)
OUTBOX_CSV_COLUMNS = ("created_at", "campaign__slug", "kind", "target__name", "status", "attempts", "next_try_at", "sent_at", "last_error")


def organisation_letters(organisation_id: int) -> QuerySet[Message]:
    """The letters and digests of an organisation's campaigns, newest first: its outbox as its campaigners see it."""
    return (
        Message.objects.filter(campaign__organisation_id=organisation_id, kind__in=TARGET_KINDS)
        .select_related("campaign", "target").order_by("-created_at", "-pk")
    )


class Response(models.Model):
    """A reply that came back to a letter's (or digest's) own Reply-To address, parsed by outcry.delivery.inbound.

    Only sanitised HTML is kept; the text is what campaigners read and may publish.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses", verbose_name=_("campaign"))
    target = models.ForeignKey(Target, on_delete=models.SET_NULL, related_name="responses", null=True, blank=True, verbose_name=_("target"))
    letter = models.ForeignKey(Message, on_delete=models.SET_NULL, related_name="responses", null=True, blank=True, verbose_name=_("letter"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    from_target = models.BooleanField(_("from the target's own domain"), default=False)
    automatic = models.BooleanField(_("automatic reply (e.g. out of office)"), default=False)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML (sanitised)"), blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    authentication_results = models.TextField(
        _("Authentication-Results"), blank=True, help_text=_("As the receiving relay recorded them (SPF, DKIM, DMARC)."),
    )
    auth = models.JSONField(_("authentication"), default=dict, blank=True)
    dropped_attachments = models.JSONField(_("attachments not kept"), default=list, blank=True)
    forward = models.OneToOneField(
        Message, on_delete=models.SET_NULL, related_name="forwarded_response", null=True, blank=True,
        verbose_name=_("forwarded to the supporter as"),
    )
    published = models.BooleanField(_("shown on the campaign page"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    public_text = models.TextField(
        _("text shown on the page"), blank=True, help_text=_("A summary, or the reply's words. Empty: the reply's text. Replies often quote the letter: check that "
                    "what you publish names no supporter."),
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["campaign", "published", "received_at"])]

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"

    @property
    def shown_text(self) -> str:
        return self.public_text or self.text


class ResponseAttachment(models.Model):
    """A small attachment of a safe type (OUTCRY_INBOUND_ATTACHMENT_BYTES, inbound.SAFE_TYPES); the rest are
    listed in Response.dropped_attachments and not kept."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()

    def __str__(self) -> str:
        return self.filename


class Attempt(models.Model):
    """One try at sending a message: when, by which worker, and what the server answered."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Accepted by the server")
        DEFERRED = "deferred", _("Temporary failure")
        FAILED = "failed", _("Permanent failure")
        INTERRUPTED = "interrupted", _("Worker stopped mid-send")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    smtp_code = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.TextField(blank=True)
    worker = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self) -> str:
        return f"{self.message} @ {self.started_at:%Y-%m-%d %H:%M:%S}"


class OutboxEmail(models.Model):
    """An email kept instead of sent, when no SMTP server is configured (EMAIL_URL unset)."""

    created_at = models.DateTimeField(auto_now_add=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="outbox", null=True, blank=True)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, related_name="outbox", null=True, blank=True)
    subject = models.CharField(max_length=500)
    from_email = models.CharField(max_length=500)
    to = models.TextField()
    raw = models.TextField(help_text=_("The whole message as it would have gone over SMTP."))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return self.subject


class MailServer(CircuitFields):
    """The circuit breaker of the mail server (outcry.lib.outbox.Circuit): one row, shared by every worker,
    so a server that is down costs one probe at a time instead of one attempt per message per worker."""

    name = models.CharField(max_length=50, primary_key=True, default="default")

    class Meta:
        verbose_name = _("mail server")
        verbose_name_plural = _("mail servers")

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A task worker's liveness: renewed every few seconds while the process lives, with the task it is
    running. The sweep finishes or retries task rows left RUNNING by a worker whose beat stopped."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    process = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    task_id = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return self.process or self.worker_id
