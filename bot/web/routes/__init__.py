"""The site's routes, one router per concern: pages, reset links, chat."""
