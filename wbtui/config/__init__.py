"""Configuration: the model, its validation, masking and storage."""

from .model import FIELDS, Config, FieldError, FieldSpec, container_env, get_value, set_value, unset_value
from .urls import BucketURL, MysqlURL, URLError
from .validate import Finding, has_errors, validate, validate_field

__all__ = [
    "FIELDS", "BucketURL", "Config", "FieldError", "FieldSpec", "Finding", "MysqlURL", "URLError",
    "container_env", "get_value", "has_errors", "set_value", "unset_value", "validate", "validate_field",
]
