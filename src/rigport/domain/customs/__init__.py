"""rigport.domain.customs"""
