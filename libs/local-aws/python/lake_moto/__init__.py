"""moto server with the lake's patches for what moto 5.2.1 lacks (see patches/)."""
