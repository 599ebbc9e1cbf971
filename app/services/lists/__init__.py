"""The one list engine: scoped, filtered, keyset-paginated lists for the web and the API."""
