from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "convoca.accounts"
    label = "accounts"
