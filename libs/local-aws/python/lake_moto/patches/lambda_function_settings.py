"""Lambda functions drop KMSKeyArn, DeadLetterConfig and LoggingConfig (moto 5.2.1 neither stores nor returns them).

Terraform then reads them back empty, so every plan of a stack with a Lambda wants to set them again. The
patch keeps the three settings from CreateFunction and UpdateFunctionConfiguration and returns them in the
function configuration (GetFunction, GetFunctionConfiguration, ListFunctions).
"""

from typing import Any

from moto.awslambda.models import LambdaFunction

SETTINGS = ("KMSKeyArn", "DeadLetterConfig", "LoggingConfig")

_moto_init = LambdaFunction.__init__
_moto_get_configuration = LambdaFunction.get_configuration
_moto_update_configuration = LambdaFunction.update_configuration


def __init__(self: LambdaFunction, account_id: str, spec: dict[str, Any], region: str, version: str | int = 1) -> None:
    _moto_init(self, account_id, spec, region, version)
    self.lake_settings = {key: spec[key] for key in SETTINGS if spec.get(key)}


def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
    return {**_moto_get_configuration(self, on_create), **getattr(self, "lake_settings", {})}


def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
    settings = getattr(self, "lake_settings", {})
    for key in SETTINGS:
        if key in config_updates:
            settings[key] = config_updates[key]
    self.lake_settings = {key: value for key, value in settings.items() if value}
    return _moto_update_configuration(self, config_updates)


def apply() -> None:
    LambdaFunction.__init__ = __init__
    LambdaFunction.get_configuration = get_configuration
    LambdaFunction.update_configuration = update_configuration
