"""`python -m referral_api` is the `referral-api` command."""

from referral_api.cli import main

main()
