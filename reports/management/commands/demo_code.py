"""Print the current second-factor code of the demo moderator and administrator, whose
authenticator key is the published demo key (reports/demo.py): the demo needs no phone. It
refuses to run with DEBUG off, and prints nothing for an account with any other key."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from reports import demo


class Command(BaseCommand):
    help = "Print the demo moderator's and administrator's current second-factor code."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("DEBUG is off: demo codes are for the demonstration only.")
        devices = TOTPDevice.objects.filter(
            key=demo.DEMO_TOTP_KEY, confirmed=True, user__username__in=demo.DEMO_RECOVERY_CODES
        ).select_related("user")
        if not devices:
            raise CommandError("No demo account has the demo key: run manage.py load_demo.")
        for device in devices.order_by("user__username"):
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            self.stdout.write(
                f"{device.user.get_username():<11} {totp.token():0{device.digits}d} "
                f"(for {device.step - int(totp.time - device.t0) % device.step} more seconds)"
            )
