"""Dependencies the routes declare: the settings and the SPARQL worker pool."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.bibliography import Bibliography
from service.cite import Citer
from service.entity_index import EntityIndex
from service.graph import Graph
from service.passage_index import PassageIndex
from service.quotes import QuoteMatcher
from service.remote import RemotePool
from service.settings import Settings
from service.sparql import Pool


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> Pool | RemotePool:
    """The query workers (embedded store) or the bounded client (remote endpoint)."""
    pool: Pool | RemotePool = request.app.state.pool
    return pool


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[Pool | RemotePool, Depends(get_pool)]


def get_graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


def get_index(request: Request) -> EntityIndex:
    index: EntityIndex = request.app.state.index
    return index


GraphDep = Annotated[Graph, Depends(get_graph)]
IndexDep = Annotated[EntityIndex, Depends(get_index)]


def get_passages(request: Request) -> PassageIndex:
    passages: PassageIndex = request.app.state.passages
    return passages


PassagesDep = Annotated[PassageIndex, Depends(get_passages)]


def get_citer(request: Request) -> Citer:
    citer: Citer = request.app.state.citer
    return citer


def get_quotes(request: Request) -> QuoteMatcher:
    quotes: QuoteMatcher = request.app.state.quotes
    return quotes


def get_bib(request: Request) -> Bibliography:
    bib: Bibliography = request.app.state.bib
    return bib


CiterDep = Annotated[Citer, Depends(get_citer)]
QuotesDep = Annotated[QuoteMatcher, Depends(get_quotes)]
BibDep = Annotated[Bibliography, Depends(get_bib)]
