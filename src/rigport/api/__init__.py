"""rigport.api"""
