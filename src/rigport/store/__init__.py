"""rigport.store"""
