"""rigport.domain.screening"""
