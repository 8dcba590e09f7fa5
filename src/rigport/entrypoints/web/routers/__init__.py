"""The dashboard's pages, one router per page group (mounted in order by `rigport.entrypoints.web.app`)."""
