"""rigport.catalog"""
