"""Viewsets of this app."""
