"""The HSDS catalogue of the directory, rebuilt only when the directory's revision moves."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from referral_api.db import repository
from referral_api.db.organizations import last_admin_sequence
from referral_api.interop.hsds import Catalogue


class HsdsCatalogues:
    """Holds the catalogue of the newest revision seen; one per app.

    HSDS readers page through the whole directory: building it per request would repeat the
    same mapping for every page. Checking for changes is two indexed reads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple[int, int] | None = None
        self._catalogue: Catalogue | None = None

    def current(self, *, session: Session) -> Catalogue:
        """The catalogue of the directory as it is now."""
        # Providers move the directory's revision; organizations leave an admin event.
        version = (
            repository.current_revision(session=session),
            last_admin_sequence(session=session),
        )
        with self._lock:
            if self._catalogue is None or self._version != version:
                self._catalogue = Catalogue(
                    repository.list_organizations(session=session),
                    repository.all_providers(session=session),
                )
                self._version = version
            return self._catalogue
