from django.contrib.auth.backends import ModelBackend


class TuijinBackend(ModelBackend):
    """Django's password backend, loading the user with the region and organisation that every permission check
    reads (otherwise two more queries on each request)."""

    def get_user(self, user_id):
        user = self._default_manager_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _default_manager_user(self, user_id):
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.select_related("region", "organization").filter(pk=user_id).first()
