"""``AzureSora`` and ``AsyncAzureSora``: clients of Sora 2 on Azure OpenAI / Foundry.

The options carry the names openai users know (``azure_endpoint``, ``azure_ad_token_provider``,
``api_version``; ``AZURE_OPENAI_ENDPOINT``, ``AZURE_OPENAI_API_KEY``, ``OPENAI_API_VERSION``).
Requests go to ``{azure_endpoint}/openai/v1/videos...``; ``model`` is the deployment name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx

from ._client import AsyncSora, Sora
from ._config import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ClientConfig,
    TokenProvider,
)
from ._exceptions import SoraError
from .servers import AZURE, base_url_for

__all__ = ["AsyncAzureSora", "AzureSora", "azure_config"]

Query = Mapping[str, "str | int | float | bool"]


def azure_config(
    *,
    azure_endpoint: str | None,
    api_key: str | None,
    azure_ad_token_provider: TokenProvider | None,
    api_version: str | None,
    base_url: str | httpx.URL | None,
    organization: str | None,
    project: str | None,
    timeout: float | httpx.Timeout | None,
    max_retries: int,
    default_headers: Mapping[str, str] | None,
    default_query: Query | None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    environ: Mapping[str, str] = os.environ,
) -> ClientConfig:
    """An Azure client's settings, from arguments and the ``AZURE_OPENAI_*`` environment.

    Raises:
        SoraError: No endpoint, or neither a key nor a token provider.
        ValueError: Both ``azure_endpoint`` and ``base_url`` were given.
    """
    endpoint = azure_endpoint or environ.get("AZURE_OPENAI_ENDPOINT")
    if azure_endpoint is not None and base_url is not None:
        raise ValueError("azure_endpoint and base_url exclude each other: pass one")
    if base_url is None:
        if not endpoint:
            raise SoraError(
                "no Azure endpoint: pass azure_endpoint= or set AZURE_OPENAI_ENDPOINT "
                "(e.g. https://my-resource.openai.azure.com)"
            )
        base_url = base_url_for(AZURE, endpoint)
    key = api_key or environ.get("AZURE_OPENAI_API_KEY") or ""
    if azure_ad_token_provider is not None:
        key = ""  # a token provider authenticates alone: the key is not sent as well
    elif not key:
        raise SoraError(
            "no Azure credentials: pass api_key= or azure_ad_token_provider=, or set "
            "AZURE_OPENAI_API_KEY"
        )
    query = dict(default_query or {})
    version = api_version or environ.get("OPENAI_API_VERSION")
    if version:
        query["api-version"] = version
    return ClientConfig.resolve(
        api_key=key,
        base_url=base_url,
        organization=organization,
        project=project,
        timeout=timeout,
        max_retries=max_retries,
        max_body_size=max_body_size,
        default_headers=default_headers,
        default_query=query,
        server=AZURE,
        token_provider=azure_ad_token_provider,
        environ=environ,
    )


class AzureSora(Sora):
    """A client of Sora 2 on Azure OpenAI / Foundry.

    Args:
        azure_endpoint: The resource, e.g. ``https://my-resource.openai.azure.com``; defaults
            to ``AZURE_OPENAI_ENDPOINT``. Requests go to ``{azure_endpoint}/openai/v1/...``.
        api_key: Sent in the ``api-key`` header; defaults to ``AZURE_OPENAI_API_KEY``.
        azure_ad_token_provider: A function returning a Microsoft Entra ID token (e.g.
            azure-identity's ``get_bearer_token_provider``), called for every request; a 401
            calls it once more. Used instead of the key when given.
        api_version: Sent as ``?api-version=``; defaults to ``OPENAI_API_VERSION``, else none.
        base_url: The API's full URL instead of ``azure_endpoint`` (``.../openai/v1``).
        organization, project, timeout, max_retries, max_body_size, default_headers,
            default_query,
        http_client: As for ``Sora``.

    Raises:
        SoraError: No endpoint, or neither a key nor a token provider.
    """

    def __init__(
        self,
        *,
        azure_endpoint: str | None = None,
        api_key: str | None = None,
        azure_ad_token_provider: TokenProvider | None = None,
        api_version: str | None = None,
        base_url: str | httpx.URL | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        default_headers: Mapping[str, str] | None = None,
        default_query: Query | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        config = azure_config(
            azure_endpoint=azure_endpoint,
            api_key=api_key,
            azure_ad_token_provider=azure_ad_token_provider,
            api_version=api_version,
            base_url=base_url,
            organization=organization,
            project=project,
            timeout=timeout,
            max_retries=max_retries,
            max_body_size=max_body_size,
            default_headers=default_headers,
            default_query=default_query,
        )
        self._start(config, http_client)


class AsyncAzureSora(AsyncSora):
    """A client of Sora 2 on Azure OpenAI / Foundry.

    Args:
        azure_endpoint: The resource, e.g. ``https://my-resource.openai.azure.com``; defaults
            to ``AZURE_OPENAI_ENDPOINT``. Requests go to ``{azure_endpoint}/openai/v1/...``.
        api_key: Sent in the ``api-key`` header; defaults to ``AZURE_OPENAI_API_KEY``.
        azure_ad_token_provider: A function (sync or async) returning a Microsoft Entra ID
            token, called for every request; a 401 calls it once more. Used instead of the
            key when given.
        api_version: Sent as ``?api-version=``; defaults to ``OPENAI_API_VERSION``, else none.
        base_url: The API's full URL instead of ``azure_endpoint`` (``.../openai/v1``).
        organization, project, timeout, max_retries, max_body_size, default_headers,
            default_query,
        http_client: As for ``AsyncSora``.

    Raises:
        SoraError: No endpoint, or neither a key nor a token provider.
    """

    def __init__(
        self,
        *,
        azure_endpoint: str | None = None,
        api_key: str | None = None,
        azure_ad_token_provider: TokenProvider | None = None,
        api_version: str | None = None,
        base_url: str | httpx.URL | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        default_headers: Mapping[str, str] | None = None,
        default_query: Query | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        config = azure_config(
            azure_endpoint=azure_endpoint,
            api_key=api_key,
            azure_ad_token_provider=azure_ad_token_provider,
            api_version=api_version,
            base_url=base_url,
            organization=organization,
            project=project,
            timeout=timeout,
            max_retries=max_retries,
            max_body_size=max_body_size,
            default_headers=default_headers,
            default_query=default_query,
        )
        self._start(config, http_client)
